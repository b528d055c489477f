// Placeholder until the owning engineer lands this command.
import type { Io } from '../io.js';
import { InputError } from '../model.js';
export async function patchTreeCommand(_p: string | undefined, _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('patchTreeCommand is not built yet'); }
export async function unpatchTreeCommand(_p: string | undefined, _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('unpatchTreeCommand is not built yet'); }
