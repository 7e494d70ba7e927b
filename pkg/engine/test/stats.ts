/** Statistics used by the forest tests to compare with scikit-learn. Reference implementations, not fast ones. */

/** Ranks 1..n with ties given their average rank (as scipy.stats.rankdata). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) {
      end++;
    }
    const tiedRank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) {
      ranks[order[k]] = tiedRank;
    }
    start = end;
  }
  return ranks;
}

/** Spearman's rank correlation: Pearson correlation of the average ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`spearman: lengths differ (${a.length} vs ${b.length})`);
  }
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (ra.length + 1) / 2;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < ra.length; i++) {
    covariance += (ra[i] - mean) * (rb[i] - mean);
    varianceA += (ra[i] - mean) ** 2;
    varianceB += (rb[i] - mean) ** 2;
  }
  return covariance / Math.sqrt(varianceA * varianceB);
}

/**
 * Area under the ROC curve for labels (1 = positive) and scores (higher = more positive), via the Mann–Whitney U
 * statistic with average ranks for ties (equal to sklearn.metrics.roc_auc_score).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const ranks = averageRanks(scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      positiveRankSum += ranks[i];
    }
  }
  const negatives = labels.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** numpy.percentile(values, percent) with numpy's default 'linear' interpolation. */
export function percentileLinear(values: ArrayLike<number>, percent: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const position = ((sorted.length - 1) * percent) / 100;
  const below = Math.floor(position);
  if (below >= sorted.length - 1) {
    return sorted[sorted.length - 1];
  }
  const fraction = position - below;
  return sorted[below] + (sorted[below + 1] - sorted[below]) * fraction;
}
