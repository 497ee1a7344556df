import { describe, expect, it } from 'vitest';
import { BusinessUnitCycleError, buildBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import { tree } from './fixtures.js';

const sorted = (s: ReadonlySet<string>): string[] => [...s].sort();

describe('buildBusinessUnitTree', () => {
  it.each([
    ['root', ['root', 'sales', 'salesEU', 'salesEUNorth', 'salesUS', 'support', 'supportL2']],
    ['sales', ['sales', 'salesEU', 'salesEUNorth', 'salesUS']],
    ['salesEU', ['salesEU', 'salesEUNorth']],
    ['salesEUNorth', ['salesEUNorth']],
    ['salesUS', ['salesUS']],
    ['support', ['support', 'supportL2']],
    ['supportL2', ['supportL2']],
  ])('subtree(%s) is the unit and everything below it', (unit, expected) => {
    expect(sorted(tree.subtree(unit))).toEqual([...expected].sort());
  });

  it('answers an unknown unit with an empty subtree', () => {
    expect(tree.subtree('nowhere').size).toBe(0);
    expect(tree.has('nowhere')).toBe(false);
    expect(tree.parentOf('nowhere')).toBeUndefined();
  });

  it('exposes ids, roots and parents', () => {
    expect(tree.ids).toHaveLength(7);
    expect(tree.roots).toEqual(['root']);
    expect(tree.parentOf('salesEUNorth')).toBe('salesEU');
    expect(tree.parentOf('root')).toBeNull();
    expect(tree.has('supportL2')).toBe(true);
  });

  it('returns the same precomputed set on every call', () => {
    expect(tree.subtree('sales')).toBe(tree.subtree('sales'));
  });

  it('accepts units listed children first, and several roots', () => {
    const t = buildBusinessUnitTree([
      { id: 'c', parentId: 'b' },
      { id: 'b', parentId: 'a' },
      { id: 'a', parentId: null },
      { id: 'z', parentId: null },
    ]);
    expect(sorted(t.subtree('a'))).toEqual(['a', 'b', 'c']);
    expect(sorted(t.subtree('z'))).toEqual(['z']);
    expect(t.roots).toEqual(['a', 'z']);
  });

  it('accepts an empty list', () => {
    expect(buildBusinessUnitTree([]).ids).toEqual([]);
  });

  it('reports a cycle with its path', () => {
    const build = () =>
      buildBusinessUnitTree([
        { id: 'root', parentId: null },
        { id: 'a', parentId: 'c' },
        { id: 'b', parentId: 'a' },
        { id: 'c', parentId: 'b' },
      ]);
    expect(build).toThrow(BusinessUnitCycleError);
    expect(build).toThrow(/cycle.*a -> c -> b -> a/);
    try {
      build();
    } catch (error) {
      expect((error as BusinessUnitCycleError).cycle).toEqual(['a', 'c', 'b', 'a']);
    }
  });

  it('reports a unit that is its own parent', () => {
    expect(() => buildBusinessUnitTree([{ id: 'x', parentId: 'x' }])).toThrow(/cycle.*x -> x/);
  });

  it('reports a cycle hanging below a unit that reaches it', () => {
    expect(() =>
      buildBusinessUnitTree([
        { id: 'leaf', parentId: 'p' },
        { id: 'p', parentId: 'q' },
        { id: 'q', parentId: 'p' },
      ]),
    ).toThrow(/cycle.*p -> q -> p/);
  });

  it('rejects duplicate ids and unknown parents', () => {
    expect(() =>
      buildBusinessUnitTree([
        { id: 'a', parentId: null },
        { id: 'a', parentId: null },
      ]),
    ).toThrow(/a appears twice/);
    expect(() => buildBusinessUnitTree([{ id: 'a', parentId: 'ghost' }])).toThrow(
      /parent ghost.*does not exist/,
    );
  });
});
