/** Where the demuxer delivers the payload of one elementary stream's PES packets. */
export interface PesStream {
  /** A PES packet starts; its timestamps apply to the first frame starting in its payload. */
  begin(pts: number | undefined, dts: number | undefined): void;
  /** Payload bytes: views of the pushed chunks, valid only during the call. */
  payload(data: Buffer): void;
  /** The PES packet ended. */
  end(): void;
  /** End of input: emit what is complete. */
  flush(): void;
  /** Data was lost: drop partial frames. */
  discard(): void;
}

/** For PES packets of streams we do not decode: their payload is consumed and dropped. */
export const IGNORED_PES_STREAM: PesStream = {
  begin: () => {},
  payload: () => {},
  end: () => {},
  flush: () => {},
  discard: () => {},
};
