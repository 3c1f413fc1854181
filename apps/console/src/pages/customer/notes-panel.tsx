import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, useApi } from '../../api/client';

export interface Note {
  noteId: string;
  customerId: string;
  text: string;
  staffId: string;
  staffName?: string;
  at: string;
  position: number;
}

/** A customer's internal notes: the newest 200 (they show on the timeline too). */
export function useNotes(customerId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['customer', customerId, 'notes'],
    queryFn: () =>
      api<{ items: Note[] }>(`/v1/customers/${encodeURIComponent(customerId)}/notes?limit=200`),
    enabled,
  });
}

const MAX_NOTE = 4000;

/** Writing an internal note: for staff only, never sent to the customer. */
export function NoteForm(props: { customerId: string }) {
  const api = useApi();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api(`/v1/customers/${encodeURIComponent(props.customerId)}/notes`, {
        method: 'POST',
        body: { text },
      }),
    onSuccess: () => {
      setText('');
      setTimeout(
        () => void client.invalidateQueries({ queryKey: ['customer', props.customerId, 'notes'] }),
        300,
      );
    },
  });
  return (
    <section className="panel" aria-labelledby="notes-heading">
      <h2 id="notes-heading">Internal note</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) add.mutate();
        }}
      >
        <label htmlFor="note-text">Note for the team (never sent to the customer)</label>
        <textarea
          id="note-text"
          rows={3}
          maxLength={MAX_NOTE}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <p className="hint">
          {text.length}/{MAX_NOTE}. Notes are personal data of the customer: erased with them.
        </p>
        <button type="submit" disabled={!text.trim() || add.isPending}>
          {add.isPending ? 'Adding…' : 'Add note'}
        </button>
        {add.isError && (
          <p className="error" role="alert">
            {errorText(add.error)}
          </p>
        )}
      </form>
    </section>
  );
}
