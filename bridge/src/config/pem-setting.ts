// PEM settings (auth.certificate, server.tls.*, salesforce.privateKeyFile) hold the PEM text
// itself or a path to a file with it; read once at start, with an error that names the key.
import { readFileSync } from 'node:fs';
import { ErrorCodes, SwitchboardError } from '../errors';

export function readPemSetting(value: string, key: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new SwitchboardError(ErrorCodes.CONFIG_INVALID, `${key}: cannot read ${value}`, {
      hint: `Set ${key} to the PEM text or to a readable file holding it.`,
      cause,
    });
  }
}
