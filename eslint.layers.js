// The stack of lib/: each layer imports only the layers below it. ESLint enforces it with
// `no-restricted-imports` patterns per folder (type imports included). Top to bottom:
export const LAYERS = [
  { name: 'api', files: ['lib/api/**'] },
  { name: 'flows', files: ['lib/flows/**'] },
  { name: 'call', files: ['lib/call/**'] },
  { name: 'transport', files: ['lib/transport/**'] },
  { name: 'operation', files: ['lib/operation/**'] },
  { name: 'requests', files: ['lib/requests/**'] },
  { name: 'wire', files: ['lib/wire/**'] },
];

// What sits above every layer: the entry points, which may import anything.
const ENTRY = ['**/index.js', '**/client.js', '**/options.js', '**/testing/**', '**/streams/**'];

/** One config object per layer: an import of any layer above it, or of an entry point, fails. */
export const layerConfigs = LAYERS.map((layer, i) => ({
  files: layer.files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [...LAYERS.slice(0, i).map((above) => `**/${above.name}/**`), ...ENTRY],
            message: `lib/${layer.name}/ may import only the layers below it (see ARCHITECTURE.md).`,
          },
        ],
      },
    ],
  },
}));
