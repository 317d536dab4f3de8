// pbx.presence and pbx.asterisk.presence (docs/presence.md, docs/asterisk.md "Presence"): the
// defaults, and each bad value refused at start with CONFIG_INVALID naming the key.
import { parseConfig } from '../../src/config/load';
import { ErrorCodes, SwitchboardError } from '../../src/errors';

const ASTERISK = { host: 'pbx.internal', username: 'switchboard', secret: 's3cret-s3cret' };

function config(pbx: Record<string, unknown>) {
  return parseConfig({
    salesforce: { emulate: 'demo' },
    pbx: { adapter: 'asterisk', asterisk: ASTERISK, ...pbx },
  });
}

function refusal(pbx: Record<string, unknown>): SwitchboardError {
  try {
    config(pbx);
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('presence configuration', () => {
  it('offers every state and queue pause by default, written the FreePBX way on Asterisk', () => {
    const { pbx } = config({});
    expect(pbx.presence).toEqual({
      states: ['available', 'dnd', 'away'],
      queuePause: true,
      pauseReasons: ['Break', 'Lunch', 'Meeting', 'Training'],
    });
    expect(pbx.asterisk?.presence).toEqual({
      dndDevice: 'Custom:DND{extension}',
      presentity: 'CustomPresence:{extension}',
      astdbFamily: '',
      states: {
        available: { presence: 'available', device: 'NOT_INUSE' },
        dnd: { presence: 'dnd', device: 'BUSY' },
        away: { presence: 'away', device: 'NOT_INUSE' },
      },
      queues: [],
    });
  });

  it.each([
    ['pbx.presence.states', { presence: { states: ['dnd', 'away'] } }, 'must include available'],
    ['pbx.presence.states', { presence: { states: ['available', 'dnd', 'dnd'] } }, 'twice'],
    ['pbx.presence.states.1', { presence: { states: ['available', 'busy'] } }, ''],
    ['pbx.presence.pauseReasons.0', { presence: { pauseReasons: ['Lunch, long'] } }, 'one line'],
    [
      'pbx.asterisk.presence.dndDevice',
      { asterisk: { ...ASTERISK, presence: { dndDevice: 'Custom:DND' } } },
      '{extension}',
    ],
    [
      'pbx.asterisk.presence.states.away.presence',
      {
        asterisk: {
          ...ASTERISK,
          presence: { states: { away: { presence: 'lunch', device: 'BUSY' } } },
        },
      },
      '',
    ],
    [
      'pbx.asterisk.presence.states',
      {
        asterisk: {
          ...ASTERISK,
          presence: { states: { away: { presence: 'dnd', device: 'BUSY' } } },
        },
      },
      'could not be told apart',
    ],
    [
      'pbx.asterisk.presence.astdbFamily',
      { asterisk: { ...ASTERISK, presence: { astdbFamily: 'DND/201' } } },
      'AstDB family',
    ],
  ])('refuses a bad %s with CONFIG_INVALID naming it', (key, pbx, words) => {
    const error = refusal(pbx);
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toContain(`${key}:`);
    expect(error.message).toContain(words);
  });
});
