// Step "Phone system" (docs/asterisk.md, docs/webhook.md): the bridge can log in to the PBX and
// may do what it needs there — for Asterisk, which manager.conf classes are missing — and the
// webhook's tokens are sound. The adapter itself looks (PbxAdapter.selfCheck).
import type { CheckContext } from '../check-context';
import type { CheckStep, StepFindings } from '../run-checks';
import { strayWhitespace } from '../stray-whitespace';

const PBX_SECRETS = ['pbx.asterisk.secret', 'pbx.webhook.token', 'pbx.webhook.dialToken'];

export const pbxStep: CheckStep = {
  id: 'pbx',
  title: 'Phone system',
  guide: 'docs/asterisk.md or docs/webhook.md',
  keys: ['pbx'],
  needs: [],
  run: async (ctx: CheckContext): Promise<StepFindings> => {
    const config = ctx.config;
    if (config === undefined) throw new Error('no configuration');
    const secrets = strayWhitespace(PBX_SECRETS.map((key) => ({ key, written: ctx.written(key) })));
    const adapter = await ctx.pbx();
    if (adapter.selfCheck === undefined)
      return {
        summary: `${adapter.name}: no phone system to look at`,
        problems: secrets.problems,
        warnings: secrets.warnings,
      };
    const found = await adapter.selfCheck({
      callerNamePush: config.directory.astdb.enabled,
      presence: {
        states: config.pbx.presence.states.length > 0,
        queuePause: config.pbx.presence.queuePause,
      },
    });
    return {
      summary: `${config.pbx.adapter}: ${found.summary}`,
      problems: [...secrets.problems, ...found.problems],
      warnings: [...secrets.warnings, ...found.warnings],
    };
  },
};
