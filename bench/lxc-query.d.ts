/** The parts of the untyped `lxc-query` package that the benchmarks call. */
declare module 'lxc-query' {
  interface LxcQueryImages {
    info(remote: string, name: string): Promise<unknown>;
    list(remote: string, filter?: string): Promise<unknown>;
  }
  interface LxcQuery {
    setCmd(cmd: string): void;
    readonly images: LxcQueryImages;
  }
  const lxcQuery: LxcQuery;
  export default lxcQuery;
}
