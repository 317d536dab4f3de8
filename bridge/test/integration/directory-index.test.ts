// Issue 7 through the running bridge: with directory.enabled the pop is answered from the
// local index (no Salesforce request per ring), the admin status shows the index, and the PBX
// reads the phonebook and caller names with its token.
import type { RunningBridge } from '../../src/bridge';
import {
  ADMIN_TOKEN,
  DEMO_USERS,
  RepClient,
  postPbxEvent,
  startTestBridge,
} from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = DEMO_USERS[0]!;
const PHONEBOOK_TOKEN = 'phonebook-token-0123456789';

describe('directory index in the bridge', () => {
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    bridge = await startTestBridge({
      seed: {
        Contact: [
          {
            Id: '003000000000001AAA',
            FirstName: 'Jana',
            LastName: 'Weber',
            Phone: '(415) 555-1212',
            OwnerId: ANA.Id,
          },
        ],
      },
      config: { directory: { enabled: true, phonebook: { token: PHONEBOOK_TOKEN } } },
    });
    teardown.add(bridge, (b) => b.stop());
    // Wait for the first full load.
    for (let i = 0; i < 200; i++) {
      const status = (await (
        await fetch(`${bridge.httpUrl}/admin/status`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).json()) as { directory: { ready?: boolean } };
      if (status.directory.ready === true) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the directory never became ready');
  });
  afterAll(() => teardown.run());

  it('pops from the index without asking Salesforce', async () => {
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    const before = bridge.emulatedOrg!.counts.search + bridge.emulatedOrg!.counts.query;
    await postPbxEvent(bridge, {
      callId: 'idx-1',
      event: 'ringing',
      direction: 'inbound',
      extension: '201',
      number: '+14155551212',
    });
    const done = await rep.waitForCall((c) => c.id === 'idx-1:201' && c.lookup === 'done');
    expect(done.matches).toEqual([
      expect.objectContaining({ id: '003000000000001AAA', name: 'Jana Weber' }),
    ]);
    expect(bridge.emulatedOrg!.counts.search + bridge.emulatedOrg!.counts.query).toBe(before);
    rep.close();
  });

  it('rings with its matches in one frame: the index answers before the ring is published', async () => {
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    await postPbxEvent(bridge, {
      callId: 'idx-2',
      event: 'ringing',
      direction: 'inbound',
      extension: '201',
      number: '+14155551212',
    });
    await postPbxEvent(bridge, {
      callId: 'idx-2',
      event: 'ended',
      direction: 'inbound',
      extension: '201',
    });
    await rep.waitForCall((c) => c.id === 'idx-2:201' && c.state === 'ended');
    const frames = rep.callFrames('idx-2');
    // The first frame is the ring, already with the caller; no frame says only "looked up".
    expect(frames[0]).toMatchObject({
      state: 'ringing',
      lookup: 'done',
      matches: [expect.objectContaining({ id: '003000000000001AAA' })],
    });
    expect(frames.filter((c) => c.state === 'ringing')).toHaveLength(1);
    rep.close();
  });

  it('serves caller names to the PBX with its token only', async () => {
    const url = `${bridge.httpUrl}/directory/caller-name?number=${encodeURIComponent('+14155551212')}`;
    expect((await fetch(url)).status).toBe(401);
    const response = await fetch(url, { headers: { authorization: `Bearer ${PHONEBOOK_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Jana Weber');
  });
});
