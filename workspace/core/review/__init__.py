"""Review and merge, the pure half; the git adapter produces the text parsed here.

    diff       the diff model, its parser and stat table (modes WIP and BRANCH)
    mergetree  `git merge-tree` results: the trial merge's tree and its conflicts
    radar      files several agents touch, merges predicted to conflict
    queue      the merge queue: its items, their states and its JSON form
    drafts     commit messages, pull requests and rebase requests drafted from a task

Import from the module that owns a name: this package re-exports nothing, so each name has
one home."""
