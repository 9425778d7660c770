/**
 * libp2p 3 and its helpers (it-queue, the stream classes, yamux) call `Promise.withResolvers`,
 * which Node added in 22; Syncline supports Node >= 20.19. This is the only Node 22 API they
 * use (p-retry@8 declares node >= 22 but uses nothing newer than Node 20 has). Imported first by
 * index.ts, nowhere else; a no-op where the runtime already has it.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWithResolvers = Promise as PromiseConstructor & { withResolvers?: <T>() => Resolvers<T> };

if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      // `this` keeps subclass semantics, as the built-in does.
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
