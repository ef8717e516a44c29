// Command-line parsing shared by the host tools' CLIs (tools/backend/main.ts, tools/certs/make.ts): node:util
// parseArgs in strict mode, with the usage text on a bad option (exit code 2) and on --help (exit code 0).
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

/** The parsed options of process.argv, or the exit code when the CLI should stop (the message is printed). */
export function parseCommandLine<O extends Options>(options: O, usage: string): Values<O> | number {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ options, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if ((values as { help?: unknown }).help) {
    console.log(usage);
    return 0;
  }
  return values;
}
