// Placeholder until the owning engineer lands this command.
import type { Io } from '../io.js';
import { InputError } from '../model.js';
export async function patchHomeCommand(_p: string | undefined, _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('patchHomeCommand is not built yet'); }
export async function unpatchHomeCommand(_p: string | undefined, _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('unpatchHomeCommand is not built yet'); }
export async function runCommand(_argv: string[], _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('run is not built yet'); }
