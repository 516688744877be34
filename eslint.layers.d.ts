/** The layers of lib/, top to bottom. */
export declare const LAYERS: readonly { name: string; files: string[] }[];
/** One ESLint config object per layer: an import of a layer above it fails. */
export declare const layerConfigs: import('eslint').Linter.Config[];
