export * from './upcaster';
export * from './event-upcasters';
