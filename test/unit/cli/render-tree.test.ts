// `tree` text: command lines quoted as a shell would show them, lines cut to the terminal width, marks kept.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { commandText, cut, renderTree } from '../../../src/cli/render-tree.js';
import type { TreeNode } from '../../../src/supervisor/process-tree.js';

const node = (pid: number, cmdline: string[], children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode => ({ pid, comm: cmdline[0] ?? 'kworker', cmdline, state: 'S', escaped: false, children, ...extra });

void describe('render-tree', () => {
  void test('shows each command line, so workers of one program tell apart', () => {
    const lines = renderTree([node(10, ['node', 'server.js', '--port', '80'], [node(11, ['node', 'worker.js', '1']), node(12, ['node', 'worker.js', '2'])])]);
    assert.deepEqual(lines, ['└─ 10 node server.js --port 80', '   ├─ 11 node worker.js 1', '   └─ 12 node worker.js 2']);
  });

  void test('quotes arguments with spaces or quotes, and names a process without a command line', () => {
    assert.equal(commandText(node(1, ['sh', '-c', "echo 'hi' there"])), `sh -c 'echo '\\''hi'\\'' there'`);
    assert.equal(commandText(node(2, [], [], { comm: 'kthreadd' })), '[kthreadd]');
  });

  void test('cuts lines to the width with an ellipsis, counting characters, and keeps short lines whole', () => {
    assert.equal(cut('abcdef', 4), 'abc…');
    assert.equal(cut('abc', 3), 'abc');
    assert.equal(cut('✓✓✓✓✓', 3), '✓✓…');
    const lines = renderTree([node(10, ['sleep', '1'.repeat(200)])], 40);
    assert.equal([...(lines[0] ?? '')].length, 40);
  });

  void test('marks escapees and stopped processes', () => {
    const lines = renderTree([node(5, ['a'], [], { escaped: true }), node(6, ['b'], [], { state: 'T' })]);
    assert.deepEqual(lines, ['├─ 5 a (escaped)', '└─ 6 b [stopped]']);
  });
});
