/** One line for a log field: `Name: message` for an Error, the value as text otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
