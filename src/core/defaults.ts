/** Global defaults (SPEC section 3): fill a row's empty cell or absent key, never a value the row has. */
export interface GlobalDefaults {
  fiDataRangeFrom?: string;
  fiDataRangeTo?: string;
  configId?: string;
}
