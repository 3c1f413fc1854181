import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorText, useApi } from '../api/client';
import { shortId } from '../format';

/**
 * Dismisses the open merge suggestion between two customers (supervisors): "not one
 * person". Refreshes the customer pages and the queue once the read model has it.
 */
export function DismissSuggestionButton(props: { survivorId: string; mergedId: string }) {
  const api = useApi();
  const client = useQueryClient();
  const dismiss = useMutation({
    mutationFn: () =>
      api(`/v1/customers/${props.survivorId}/merge-suggestions/dismiss`, {
        method: 'POST',
        body: { customerId: props.mergedId },
      }),
    // The read models apply the decision within moments.
    onSuccess: () =>
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: ['customer'] });
        void client.invalidateQueries({ queryKey: ['merge-suggestions'] });
      }, 400),
  });
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={dismiss.isPending || dismiss.isSuccess}
        onClick={() => dismiss.mutate()}
      >
        Dismiss{' '}
        <span className="visually-hidden">
          the suggestion to merge {shortId(props.mergedId)} into {shortId(props.survivorId)}
        </span>
      </button>
      {dismiss.isError && (
        <span className="error" role="alert">
          {errorText(dismiss.error)}
        </span>
      )}
    </>
  );
}
