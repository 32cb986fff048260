"""Push an agent's branch and open a pull request with the GitHub CLI (`gh`), title and body
drawn from its task and commits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workspace.adapters import runner
from workspace.adapters.git import GitError
from workspace.core.errors import UsageError
from workspace.core.format import listing
from workspace.core.review.drafts import draft_pr, gh_pr_argv
from workspace.service.context import Context


@dataclass(frozen=True)
class PrPlan:
    name: str
    remote: str
    branch: str
    base: str
    title: str
    body: str
    push_argv: tuple[str, ...]
    create_argv: tuple[str, ...]


@dataclass(frozen=True)
class PrResult:
    plan: PrPlan
    url: str
    output: str


class PullRequests:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def plan(self, name: str, remote: str | None = None, title: str | None = None,
             body: str | None = None, draft: bool = False) -> PrPlan:
        """What `create` would run: the push and the `gh pr create` argv."""
        repo = self.ctx.repo
        agent = self.ctx.agent(name)
        remotes = repo.remotes()
        chosen = remote or repo.upstream_remote(agent.base) or (
            "origin" if "origin" in remotes else (remotes[0] if remotes else ""))
        if not chosen or chosen not in remotes:
            known = ", ".join(remotes) or "none"
            raise UsageError(f"no remote {chosen!r} to push to (remotes: {known}); add one "
                             "(git remote add origin URL) or pass --remote")
        tip = repo.rev(f"refs/heads/{agent.branch}")
        if tip is None:
            raise UsageError(f"{name}'s branch {agent.branch} is gone; nothing to push")
        base_sha = repo.rev(f"refs/heads/{agent.base}") or agent.base_sha
        commits = [c.oneline for c in repo.commits(f"{base_sha}..{tip}", reverse=True)]
        auto_title, auto_body = draft_pr(agent.name, agent.branch, self.ctx.task_text(agent),
                                         commits)
        title, body = title or auto_title, body or auto_body
        push = repo.push_command(chosen, agent.branch)
        create = tuple(gh_pr_argv(agent.base, agent.branch, title, body, draft))
        return PrPlan(name, chosen, agent.branch, agent.base, title, body, push, create)

    def problem(self) -> str:
        """Why pull requests cannot be opened from here ('' when gh is installed and signed
        in), saying how to enable them."""
        gh = runner.find_program("gh")
        if gh is None:
            return ("pull requests need the GitHub CLI (gh): install it "
                    "(https://cli.github.com), run 'gh auth login', and retry")
        if not runner.run_command([gh, "auth", "status"], self.ctx.repo.top, 30).ok:
            return "gh is not signed in to GitHub; run 'gh auth login' and retry"
        return ""

    def create(self, name: str, remote: str | None = None, title: str | None = None,
               body: str | None = None, draft: bool = False) -> PrResult:
        """Push the agent's branch and open a pull request. Needs gh installed and signed
        in; refuses otherwise before pushing anything."""
        repo = self.ctx.repo
        agent = self.ctx.agent(name)
        problem = self.problem()
        if problem:
            raise UsageError(f"{problem}; or push yourself: git push -u origin {agent.branch}")
        gh = runner.find_program("gh") or "gh"
        worktree = Path(agent.worktree)
        if worktree.is_dir() and repo.is_linked_worktree(worktree):
            status = repo.status(worktree)
            if status.dirty:
                raise UsageError(
                    f"{name} has uncommitted changes ({listing(status.paths)}); they would not "
                    "be in the pull request: commit them first")
        plan = self.plan(name, remote, title, body, draft)
        base_sha = repo.rev(f"refs/heads/{agent.base}") or agent.base_sha
        tip = repo.rev(f"refs/heads/{agent.branch}")
        if tip is None or repo.is_ancestor(tip, base_sha):
            raise UsageError(f"{name} has no commits that are not on {agent.base}; nothing to "
                             "put in a pull request")
        try:
            repo.push_branch(plan.remote, plan.branch)
        except GitError as exc:
            raise UsageError(f"could not push {plan.branch} to {plan.remote}: {exc}") from None
        done = runner.run_command([gh, *plan.create_argv[1:]], repo.top, 120)
        if not done.ok:
            last = done.output.strip().splitlines()[-1:] or ["no output"]
            raise UsageError(f"pushed {plan.branch}, but gh pr create failed: {last[0]}")
        urls = [w for w in done.output.split() if w.startswith(("https://", "http://"))]
        return PrResult(plan, urls[-1] if urls else "", done.output)
