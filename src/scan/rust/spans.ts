// Sorted spans of a file (functions, impl blocks): the one around an offset, by binary search.

/** Index of the last of `items` (sorted by `start`) that starts at or before `pos`; -1 when none. */
export function lastStartingBy(items: readonly { start: number }[], pos: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start <= pos) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return idx;
}
