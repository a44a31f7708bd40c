//! Graph walks over user data (named schemas and the types made from them), written with
//! explicit stacks: a chain of 10,000 definitions must not overflow the call stack, and
//! each walk is linear in the size of the graph.

const UNSEEN: usize = usize::MAX;

/// Strongly connected components (Tarjan's algorithm): nodes with the same number reach
/// each other. Components are numbered children first.
pub fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![UNSEEN; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        let mut work = vec![(root, 0)];
        while let Some((v, i)) = work.pop() {
            if let Some(&w) = edges[v].get(i) {
                work.push((v, i + 1));
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    component
}

/// Which nodes lie on a cycle: their component has another node, or they point at
/// themselves.
pub fn on_cycle(edges: &[Vec<usize>], component: &[usize]) -> Vec<bool> {
    let mut sizes = vec![0usize; edges.len()];
    for &c in component {
        sizes[c] += 1;
    }
    (0..edges.len())
        .map(|v| sizes[component[v]] > 1 || edges[v].contains(&v))
        .collect()
}

/// Every node after all the nodes it points to (depth-first post-order); on a cycle, in
/// some order that still lists each node once.
pub fn children_first(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut work = vec![(root, 0)];
        while let Some((v, i)) = work.pop() {
            if let Some(&w) = edges[v].get(i) {
                work.push((v, i + 1));
                if !seen[w] {
                    seen[w] = true;
                    work.push((w, 0));
                }
            } else {
                order.push(v);
            }
        }
    }
    order
}

/// The shortest way from `from` back to itself using only edges that `keep` allows, as
/// the list of nodes visited (starting with `from`) and the index of the closing edge in
/// the last node's edge list.
pub fn shortest_cycle(edges: &[Vec<usize>], from: usize, keep: impl Fn(usize) -> bool) -> Option<(Vec<usize>, usize)> {
    let mut came_from = vec![UNSEEN; edges.len()];
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        for (i, &w) in edges[v].iter().enumerate() {
            if w == from {
                let mut path = vec![v];
                let mut at = v;
                while at != from {
                    at = came_from[at];
                    path.push(at);
                }
                path.reverse();
                return Some((path, i));
            }
            if keep(w) && came_from[w] == UNSEEN {
                came_from[w] = v;
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_cycles_and_order_of_a_small_graph() {
        // 0 → 1 → 2 → 0, 2 → 3, 4 → 4
        let edges = vec![vec![1], vec![2], vec![0, 3], vec![], vec![4]];
        let c = strongly_connected(&edges);
        assert!(c[0] == c[1] && c[1] == c[2] && c[2] != c[3] && c[3] != c[4]);
        assert_eq!(on_cycle(&edges, &c), vec![true, true, true, false, true]);
        let order = children_first(&edges);
        let at = |n: usize| order.iter().position(|&x| x == n).unwrap();
        assert!(at(3) < at(2));
        assert_eq!(shortest_cycle(&edges, 1, |_| true), Some((vec![1, 2, 0], 0)));
    }

    #[test]
    fn a_chain_of_100_000_nodes_does_not_recurse() {
        let edges: Vec<Vec<usize>> = (0..100_000)
            .map(|i| if i + 1 < 100_000 { vec![i + 1] } else { vec![] })
            .collect();
        let c = strongly_connected(&edges);
        assert!(on_cycle(&edges, &c).iter().all(|x| !x));
        assert_eq!(children_first(&edges)[0], 99_999);
    }
}
