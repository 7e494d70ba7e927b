/**
 * One width for the y axes of plots stacked in a panel (the series chart and the score pane), so that their
 * plotting areas start at the same x and a time is at the same place in both: each plot's axis is as wide as its
 * own tick labels need (Grafana's calculateAxisSize), and two plots whose labels differ ("1.25 GB" against "0.50")
 * showed a spike and its score a few pixels apart, more the wider the labels (a browser review).
 *
 * Each member reports the width its labels need at every layout of its axes and takes the widest of the group's.
 * When the widest changes, the other members are laid out again (`relayout`, after the current layout: never from
 * inside it); a member whose need did not change asks nothing of the others, so a refresh with labels of the same
 * width costs no extra layout.
 */
export class AxisWidthGroup<Member> {
  private readonly needed = new Map<Member, number>();
  private widest = 0;
  /** Members to lay out again once the current layout is over. */
  private readonly pending = new Set<Member>();

  /** @param relayout lays a member's axes out again (a uPlot: redraw without new paths, axes recomputed) */
  constructor(private readonly relayout: (member: Member) => void) {}

  /** The width `member`'s axis takes, given what its own labels need; the others follow if the widest changed. */
  widthFor(member: Member, needed: number): number {
    this.needed.set(member, needed);
    this.settle(member);
    return this.widest;
  }

  /** A member gone (its plot destroyed): the others narrow if it was the widest. */
  leave(member: Member): void {
    if (this.needed.delete(member)) {
      this.settle(undefined);
    }
  }

  private settle(asking: Member | undefined): void {
    let widest = 0;
    for (const width of this.needed.values()) {
      widest = Math.max(widest, width);
    }
    if (widest === this.widest) {
      return;
    }
    this.widest = widest;
    const waiting = this.pending.size > 0;
    this.needed.forEach((_, member) => member !== asking && this.pending.add(member));
    if (!waiting) {
      // After the layout that asked: a uPlot lays out its axes inside its commit, which must not start another.
      queueMicrotask(() => {
        const members = [...this.pending];
        this.pending.clear();
        members.forEach((member) => this.needed.has(member) && this.relayout(member));
      });
    }
  }
}

/**
 * The width groups of stacked plots by axis place: 0 the left axis, 1, 2... the right ones in order (a plot with
 * fewer right axes than another holds blank ones in their place). Each made when first asked for.
 */
export class AxisWidthGroups<Member> {
  private readonly groups: Array<AxisWidthGroup<Member>> = [];

  constructor(private readonly relayout: (member: Member) => void) {}

  at(place: number): AxisWidthGroup<Member> {
    while (this.groups.length <= place) {
      this.groups.push(new AxisWidthGroup(this.relayout));
    }
    return this.groups[place];
  }

  /** A member gone from every group (its plot destroyed). */
  leave(member: Member): void {
    this.groups.forEach((group) => group.leave(member));
  }
}
