import { describe, expect, it } from 'vitest';
import { FuzzFailure, fuzz, Mutator, replayInput } from '../src';

const corpus = [Buffer.from('REGISTER sip:3402000000 SIP/2.0\r\nContent-Length: 0\r\n\r\n', 'latin1')];

describe('the fuzz engine', () => {
  it('gives the same inputs for the same seed, and other inputs for another seed', () => {
    const seen = (seed: number) => {
      const inputs: string[] = [];
      fuzz({
        target: 't',
        seed,
        iterations: 50,
        mutator: new Mutator({ corpus }),
        run: (input) => {
          inputs.push(input.toString('hex'));
          return 'accepted';
        },
      });
      return inputs;
    };
    expect(seen(7)).toEqual(seen(7));
    expect(seen(7)).not.toEqual(seen(8));
  });

  it('names the seed and index of a failing input, which replays it', () => {
    const mutator = new Mutator({ corpus });
    let failure: unknown;
    try {
      fuzz({
        target: 'fails at once',
        seed: 5,
        iterations: 10,
        mutator,
        run: (_input, random) => {
          if (random() >= 0) throw new Error('boom');
          return 'accepted';
        },
      });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(FuzzFailure);
    const { seed, index, input, target } = failure as FuzzFailure;
    expect([seed, index]).toEqual([5, 0]);
    expect(replayInput(mutator, target, seed, index)).toEqual(input);
  });

  it('counts accepted and rejected inputs and every mutation kind over a run', () => {
    const report = fuzz({
      target: 'mix',
      iterations: 2_000,
      mutator: new Mutator({ corpus, tokens: ['\r\n'] }),
      run: (input) => (input.length % 2 === 0 ? 'accepted' : 'rejected'),
    });
    expect(report.inputs).toBe(report.accepted + report.rejected);
    expect(Object.keys(report.mutations).sort()).toEqual(
      [
        'bit-flip',
        'byte-set',
        'delete-range',
        'duplicate-range',
        'huge-length-field',
        'huge-number',
        'insert-random',
        'random-bytes',
        'splice',
        'token',
        'truncate',
      ].sort(),
    );
  });
});
