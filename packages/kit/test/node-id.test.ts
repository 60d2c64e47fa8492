import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config';
import { isNodeId, NODE_ID_MAX_LENGTH, nodeId } from '../src/node-id';

describe('nodeId', () => {
  it('takes TESSERA_NODE_ID when it is a valid node ID', () => {
    expect(nodeId({ TESSERA_NODE_ID: 'gateway-a.zone1_2' })).toBe('gateway-a.zone1_2');
  });

  it('refuses an invalid TESSERA_NODE_ID with a ConfigError naming the variable', () => {
    for (const bad of ['gw:1', 'gw@1', '-gw', 'gw 1', 'x'.repeat(NODE_ID_MAX_LENGTH + 1), 'gw\n']) {
      expect(() => nodeId({ TESSERA_NODE_ID: bad })).toThrow(ConfigError);
      expect(() => nodeId({ TESSERA_NODE_ID: bad })).toThrow(/TESSERA_NODE_ID/);
    }
  });

  it('defaults to <hostname>-<pid>-<4 hex>, a valid node ID', () => {
    const id = nodeId({});
    expect(isNodeId(id)).toBe(true);
    expect(id).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{4}$`));
    expect(
      id.startsWith(
        hostname()
          .replace(/[^A-Za-z0-9._-]/g, '-')
          .slice(0, 20),
      ),
    ).toBe(true);
  });

  it("is the same for the process's whole life", () => {
    expect(nodeId()).toBe(nodeId());
    expect(isNodeId(nodeId())).toBe(true);
  });

  it('accepts IDs up to the maximum length and refuses non-strings', () => {
    expect(isNodeId('a'.repeat(NODE_ID_MAX_LENGTH))).toBe(true);
    expect(isNodeId('')).toBe(false);
    expect(isNodeId(42)).toBe(false);
  });
});
