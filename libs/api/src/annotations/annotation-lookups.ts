import { type AnnotationLookups } from '@rapport/application';
import { type CustomerAnnotationsReadModel, type TimelineReadModel } from '@rapport/read-models';

/** Who a customer is now (the survivor and the ids merged into it), from the timeline model. */
export async function customerGroupOf(
  timeline: TimelineReadModel,
  customerId: string,
): Promise<{ customerId: string; customerIds: string[] } | null> {
  const profile = await timeline.profile(customerId);
  if (!profile) return null;
  return {
    customerId: profile.customerId,
    customerIds: [profile.customerId, ...profile.mergedCustomers],
  };
}

export function annotationLookups(
  timeline: TimelineReadModel,
  annotations: CustomerAnnotationsReadModel,
): AnnotationLookups {
  return {
    customer: (customerId) => customerGroupOf(timeline, customerId),
    labels: (customerIds) => annotations.labels(customerIds),
  };
}
