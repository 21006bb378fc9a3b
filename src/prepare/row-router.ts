import { IssueCode } from '../core/issues.js';
import { CleanLine, type RowResult } from '../validate/faces.js';
import type { PartWriter } from './part-writer.js';

/** Where a rejected row goes (the reject file). */
export interface RejectSink {
  add(r: RowResult): Promise<void>;
}

/**
 * Sends each row of the validator's batches where it belongs: a part, the reject file, or
 * nowhere (a duplicate under `dedupe`), and counts them. A class of its own, with a
 * synchronous step per row, because the same loop inside prepareStream's large async body
 * was not optimised and cost about a tenth of prepare's time.
 */
export class RowRouter {
  rowErrors = 0;
  rowsWritten = 0;
  duplicatesDropped = 0;
  rejectedRows = 0;
  blockingRows = 0;
  writer: PartWriter | null = null;

  constructor(
    /** Opens the part writer on the first row written. */
    private readonly openWriter: () => PartWriter,
    private readonly rejects: RejectSink | null,
    private readonly dedupe: boolean,
  ) {}

  /** Routes one batch; waits only when a write has to. */
  async take(rows: Array<RowResult | CleanLine>): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      const pending = this.route(rows[i]!);
      if (pending) await pending;
    }
  }

  /** Routes one row; a promise only when the writer or the reject file has to write. */
  private route(r: RowResult | CleanLine): Promise<void> | undefined {
    if (r instanceof CleanLine) {
      // Clean rows already in canonical form: no issue, nothing to drop or encode.
      this.rowsWritten += r.rows;
      return (this.writer ??= this.openWriter()).addLines(r.text, r.rows, r.row);
    }
    const clean = r.issues.length === 0;
    const isDuplicate = !clean && r.issues.some((i) => i.code === IssueCode.DuplicateConsentId);
    const errors = clean ? r.issues : r.issues.filter((i) => i.severity === 'error');
    this.rowErrors += errors.length;
    const blocking = this.dedupe ? errors.filter((i) => i.code !== IssueCode.DuplicateConsentId) : errors;
    if (blocking.length > 0) {
      this.blockingRows += 1;
      if (!this.rejects) return undefined;
      this.rejectedRows += 1;
      return this.rejects.add(r);
    }
    if (this.dedupe && isDuplicate) {
      this.duplicatesDropped += 1;
      return undefined;
    }
    this.rowsWritten += 1;
    return (this.writer ??= this.openWriter()).add(r.values, r.row);
  }
}
