// Placeholder until the owning engineer lands this command.
import type { Io } from '../io.js';
import { InputError } from '../model.js';
export async function docsCommand(_p: string | undefined, _o: Record<string, unknown>, _io: Io): Promise<number> { throw new InputError('docsCommand is not built yet'); }
