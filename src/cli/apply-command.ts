import type { Config } from '../config/config.js';
import type { Output } from './main.js';

export async function runApplyCommand(_config: Config, _args: string[], output: Output): Promise<number> {
  output.err('apply is being written');
  return 1;
}
