import { type ChangeEvent, type FocusEvent, type KeyboardEvent, useState } from 'react';

/**
 * Props of an input that shows `shown` (the option's value as text) except while the user types over it, and commits
 * the typed text on blur and on Enter, as Grafana's number editors do. Committing ends the typing, so the field then
 * shows what the option holds: a clamped value its clamped form, a refused one the value it kept, even when the
 * option did not change (an input keyed on the value would keep the typed text then). A new value from outside while
 * the user types replaces the text typed over the old one.
 */
export function useCommittedText(shown: string, commit: (text: string) => void) {
  const [draft, setDraft] = useState<{ over: string; text: string } | undefined>(undefined);
  const typing = draft !== undefined && draft.over === shown;
  const done = (text: string) => {
    setDraft(undefined);
    commit(text);
  };
  return {
    value: typing ? draft.text : shown,
    onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft({ over: shown, text: e.currentTarget.value }),
    onBlur: (e: FocusEvent<HTMLInputElement>) => {
      if (typing) {
        done(e.currentTarget.value);
      }
    },
    onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === 'Enter') {
        done(e.currentTarget.value);
      }
    },
  };
}
