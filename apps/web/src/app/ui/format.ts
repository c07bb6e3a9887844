const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A message's time: hours and minutes today, the day before that. */
export function shortTime(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

export function fullTime(ms: number): string {
  return new Date(ms).toLocaleString();
}
