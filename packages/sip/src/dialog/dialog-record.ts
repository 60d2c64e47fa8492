import { z } from 'zod';

/**
 * A dialog as data (RFC 3261 §12: "the dialog state … consists of a dialog ID, a local sequence number …, a remote
 * sequence number …, a local URI, a remote URI, remote target, a boolean flag called "secure", and a route set"), so
 * that another replica can end or continue it. Read back through `parseDialogRecord`: a record comes from a shared
 * store, which is a boundary like the wire.
 */
export const DialogRecordSchema = z.object({
  /** Which side created the dialog: we sent the request (uac, §12.1.2) or answered it (uas, §12.1.1). */
  role: z.enum(['uac', 'uas']),
  state: z.enum(['early', 'confirmed', 'terminated']),
  callId: z.string().min(1),
  localTag: z.string().nullable(),
  remoteTag: z.string().nullable(),
  /** Our From header field in the dialog's requests (local URI with our tag). */
  from: z.string(),
  /** Their To header field in the dialog's requests (remote URI with their tag, when they gave one). */
  to: z.string(),
  localCSeq: z.number().int().nonnegative(),
  /** Null until the other side's first request (§12.1.2: "the remote sequence number MUST be empty"). */
  remoteCSeq: z.number().int().nonnegative().nullable(),
  remoteTarget: z.string(),
  routeSet: z.array(z.string()),
  secure: z.boolean(),
  /** Where the other side is reached (its packet source when it created the dialog); no TCP connection ID. */
  remote: z.object({
    transport: z.enum(['udp', 'tcp']),
    address: z.string(),
    port: z.number().int().min(1).max(65_535),
  }),
  /** The application's own fields (which device, which session), carried along unread by the SIP layer. */
  data: z.record(z.string(), z.string()),
});

export type DialogRecord = z.infer<typeof DialogRecordSchema>;

/** A record read back from a store; throws ZodError for one that is not a dialog (another version, a corrupt key). */
export function parseDialogRecord(value: unknown): DialogRecord {
  return DialogRecordSchema.parse(value);
}
