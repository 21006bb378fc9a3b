import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { jsonSchemas } from '../../core/json-schemas.js';
import { ExitCode, fromFsError } from '../../errors.js';
import type { BatchprepCommand } from '../command.js';
import { LOCAL_EPILOGUE } from '../help.js';

interface SchemaArgs {
  outDir?: string;
}

export const schemaCommand: BatchprepCommand<SchemaArgs> = {
  command: 'schema',
  describe: 'Print (or write) the JSON Schemas of the consent file formats, generated from the zod schemas',
  builder: (y) =>
    y
      .option('out-dir', { type: 'string', describe: 'Write one <name>.schema.json per format into DIR instead of printing them' })
      .example('$0 schema > schemas.json', 'All schemas as one JSON object on stdout')
      .example('$0 schema --out-dir schemas', 'Refresh the committed schemas/ folder')
      .epilogue(LOCAL_EPILOGUE),
  async run(args, ctx) {
    const schemas = jsonSchemas();
    if (!args.outDir) {
      ctx.stdout.write(`${JSON.stringify(schemas, null, 2)}\n`);
      return ExitCode.Ok;
    }
    const dir = resolve(ctx.cwd, args.outDir);
    try {
      await mkdir(dir, { recursive: true });
      for (const [name, schema] of Object.entries(schemas)) {
        const tmp = join(dir, `.${name}.tmp`);
        await writeFile(tmp, `${JSON.stringify(schema, null, 2)}\n`);
        await rename(tmp, join(dir, name));
        ctx.stderr.write(`wrote ${join(args.outDir, name)}\n`);
      }
    } catch (err) {
      throw fromFsError(err, args.outDir, 'write');
    }
    return ExitCode.Ok;
  },
};
