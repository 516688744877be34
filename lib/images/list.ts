import { z } from 'zod';
import type { Context, Resolved } from '../context.js';
import { LxcError, ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import { listViaCli } from './resolve.js';

/** Options of `images.list`. */
export interface ListFilterOptions {
  /** `lxc image list` filters: `os=ubuntu`, a fingerprint prefix, part of an alias. */
  filter?: string | readonly string[] | undefined;
  /** Images of every project; each image gets its `project`. */
  allProjects?: boolean | undefined;
}

const ProjectsSchema = z.array(
  z.looseObject({ name: z.string(), config: z.record(z.string(), z.string()).nullish() }),
);

/** Checks list filters: strings that cannot become flags. */
export function checkFilters(filter: unknown): string[] {
  if (filter === undefined) return [];
  const list: unknown[] = Array.isArray(filter) ? filter : [filter];
  return list.map((item, i) => {
    if (
      typeof item !== 'string' ||
      item === '' ||
      item.startsWith('-') ||
      /[\u0000-\u001f]/.test(item)
    ) {
      throw new ValidationError(`filter[${i}]`, `not a valid filter: ${JSON.stringify(item)}`);
    }
    return item;
  });
}

// LXD 5.0 has no --all-projects: list every project that keeps its own images.
async function listEachProject(ctx: Context, call: Resolved, filters: string[]): Promise<Image[]> {
  const projects = await ctx.query(
    { ...call, project: undefined },
    '/1.0/projects?recursion=1',
    ProjectsSchema,
  );
  const own = projects.filter(
    (p) => p.name === 'default' || p.config?.['features.images'] === 'true',
  );
  const lists = await Promise.all(
    own.map(async (p) => {
      const images = await listViaCli(ctx, { ...call, project: p.name }, filters);
      return images.map((image) => ({ ...image, project: p.name }));
    }),
  );
  return lists.flat();
}

/** Lists images, on LXD and simplestreams remotes alike. */
export async function listImages(
  ctx: Context,
  call: Resolved,
  options: ListFilterOptions,
): Promise<Image[]> {
  const filters = checkFilters(options.filter);
  if (!options.allProjects) return listViaCli(ctx, call, filters);
  try {
    return await listViaCli(ctx, { ...call, project: undefined }, filters, ['--all-projects']);
  } catch (error) {
    if (!(error instanceof LxcError) || !/unknown flag/i.test(error.message)) throw error;
  }
  return listEachProject(ctx, call, filters);
}
