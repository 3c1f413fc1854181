import { type IdeaStatus } from '../api/types';
import { label } from '../format';

export function Status(props: { status: IdeaStatus }) {
  return <span className={`badge status-${props.status}`}>{label(props.status)}</span>;
}
