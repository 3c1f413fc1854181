// class-transformer ships the typings of its metadata registry, but not under the path of
// the CommonJS module that holds it.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
