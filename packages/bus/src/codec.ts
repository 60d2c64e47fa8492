import {
  type CommandName,
  commandSchemas,
  type EventPayload,
  type EventTopic,
  eventSchemas,
} from '@tessera/contracts';
import { z } from 'zod';
import { BusArgumentError, BusInvalidPayloadError } from './errors';

/**
 * Wire format. Everything crossing the bus is JSON text — in memory too, so `npm start` catches what
 * Redis would (a Date, an undefined field, a shared mutable object). Whatever is received is parsed and
 * validated here; nothing unvalidated reaches a handler.
 */

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export function isEventTopic(topic: string): topic is EventTopic {
  return Object.hasOwn(eventSchemas, topic);
}

export function isCommandName(command: string): command is CommandName {
  return Object.hasOwn(commandSchemas, command);
}

export function assertEventTopic(topic: string): asserts topic is EventTopic {
  if (!isEventTopic(topic)) throw new BusArgumentError(`unknown event topic '${topic}'`);
}

export function assertCommandName(command: string): asserts command is CommandName {
  if (!isCommandName(command)) throw new BusArgumentError(`unknown command '${command}'`);
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

function parseJson(raw: string | undefined): Decoded<unknown> {
  if (raw === undefined) return { ok: false, reason: 'no payload field' };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown): Decoded<z.infer<S>> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: issuesOf(result.error).join('; ') };
}

function decodeWith<S extends z.ZodType>(schema: S, raw: string | undefined): Decoded<z.infer<S>> {
  const json = parseJson(raw);
  return json.ok ? validate(schema, json.value) : json;
}

/** Validates before sending: a bad payload is the publisher's bug and is thrown at it, typed. */
function encodeChecked(schema: z.ZodType, value: unknown, subject: string): { raw: string; value: unknown } {
  const result = schema.safeParse(value);
  if (!result.success) throw new BusInvalidPayloadError(subject, issuesOf(result.error));
  return { raw: JSON.stringify(result.data), value: result.data };
}

// Events -----------------------------------------------------------------------------------------

export function encodeEvent(topic: EventTopic, payload: unknown): string {
  return encodeChecked(eventSchemas[topic], payload, `event ${topic}`).raw;
}

export function decodeEvent<T extends EventTopic>(
  topic: T,
  raw: string | undefined,
): Decoded<EventPayload<T>> {
  return decodeWith(eventSchemas[topic], raw) as Decoded<EventPayload<T>>;
}

// Commands ---------------------------------------------------------------------------------------

const RequestEnvelope = z.object({
  id: z.string().min(1),
  command: z.string(),
  /** Where the reply goes: a pub/sub channel (Redis) or reply binding (memory) of the requesting bus. */
  replyTo: z.string().min(1),
  /** Absolute deadline, epoch ms of the requester's clock. */
  deadline: z.number(),
  request: z.unknown(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

const RemoteErrorBody = z.object({ code: z.string(), message: z.string(), name: z.string() });
export type RemoteErrorBody = z.infer<typeof RemoteErrorBody>;

const ResponseEnvelope = z.discriminatedUnion('ok', [
  z.object({ id: z.string(), ok: z.literal(true), response: z.unknown() }),
  z.object({ id: z.string(), ok: z.literal(false), error: RemoteErrorBody }),
]);
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>;

/** Validates the request and wraps it; throws `BusInvalidPayloadError` for an invalid request. */
export function encodeRequest(envelope: Omit<RequestEnvelope, 'request'>, request: unknown): string {
  const command = envelope.command as CommandName;
  const { value } = encodeChecked(commandSchemas[command].request, request, `request ${command}`);
  return JSON.stringify({ ...envelope, request: value } satisfies RequestEnvelope);
}

export function decodeRequestEnvelope(raw: string): Decoded<RequestEnvelope> {
  return decodeWith(RequestEnvelope, raw);
}

export function validateRequest(command: CommandName, request: unknown): Decoded<unknown> {
  return validate(commandSchemas[command].request, request);
}

export function validateResponse(command: CommandName, response: unknown): Decoded<unknown> {
  return validate(commandSchemas[command].response, response);
}

export function encodeResponse(envelope: ResponseEnvelope): string {
  return JSON.stringify(envelope);
}

export function decodeResponseEnvelope(raw: string): Decoded<ResponseEnvelope> {
  return decodeWith(ResponseEnvelope, raw);
}
