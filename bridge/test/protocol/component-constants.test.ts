// The component keeps the few run-time constants it needs (close codes, protocol version) in its
// own module, because nothing of the bridge may reach the org; they must be the protocol's.
import * as component from '../../../force-app/main/default/lwc/switchboardProtocol/switchboardProtocol';
import { CloseCodes, PROTOCOL_VERSION } from '../../src/protocol/v1';

describe('the component’s protocol constants', () => {
  it('names each close code it tells apart as the protocol does, with the same value', () => {
    const protocolCodes: Record<string, number> = CloseCodes;
    for (const [name, code] of Object.entries(component.CloseCodes))
      expect({ name, code }).toEqual({ name, code: protocolCodes[name] });
    expect(Object.keys(component.CloseCodes).sort()).toEqual([
      'BAD_FRAME_BEFORE_HELLO',
      'HELLO_TIMEOUT',
      'ORIGIN_NOT_ALLOWED',
      'UNAUTHORIZED',
    ]);
  });

  it('speaks the protocol version of the bridge', () => {
    expect(component.PROTOCOL_VERSION).toBe(PROTOCOL_VERSION);
  });

  it('builds client frames with that version', () => {
    expect(component.helloFrame('t').v).toBe(PROTOCOL_VERSION);
    expect(component.dialFrame('r1', '+1 415 555 0100').v).toBe(PROTOCOL_VERSION);
  });
});
