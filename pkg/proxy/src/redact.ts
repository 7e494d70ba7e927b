/** Removes configured secrets from any text that may reach a log line or a client (error messages, causes). */
export function createRedactor(secrets: string[]): (text: string) => string {
  // Longest first, so a secret that contains another is removed whole.
  const ordered = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  const basicForms = ordered.map((s) => Buffer.from(s).toString('base64')).filter((s) => s.length >= 4);
  return (text: string) => {
    let result = text;
    for (const secret of [...ordered, ...basicForms]) {
      result = result.split(secret).join('[redacted]');
    }
    return result;
  };
}
