// archiver 8 ships no type declarations; this is the small part of its class API we use.
declare module 'archiver' {
  import { Transform } from 'node:stream';
  export interface ZipArchiveOptions {
    zlib?: { level?: number };
    store?: boolean;
    forceZip64?: boolean;
    comment?: string;
  }
  export interface EntryData {
    name: string;
    date?: Date | string;
    mode?: number;
    store?: boolean;
  }
  export class ZipArchive extends Transform {
    constructor(options?: ZipArchiveOptions);
    append(source: NodeJS.ReadableStream | Buffer | string, data: EntryData): this;
    finalize(): Promise<void>;
    abort(): this;
    pointer(): number;
  }
}
