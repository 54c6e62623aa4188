// date-holidays-parser ships its types in types/index.d.ts but names them in no `exports` entry,
// which NodeNext resolution reads: included here by path.
/// <reference path="../../node_modules/date-holidays-parser/types/index.d.ts" />

/** moment-timezone's code without zone data (lambdas/adapters/moment-timezone-nordic.ts). */
declare module 'moment-timezone-core/moment-timezone.js' {
  import moment from 'moment-timezone';
  export default moment;
}
