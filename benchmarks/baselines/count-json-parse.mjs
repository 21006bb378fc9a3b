/**
 * Baseline: `JSON.parse` of the whole file (read into memory first), then the consent rows
 * counted. Prints the row count. What a reader that keeps nothing but the whole document
 * costs; the speed goal for JSON validation (issue 13, goal 2).
 */
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rows = Array.isArray(doc) ? doc : doc.consents_list;
console.log(rows.length);
