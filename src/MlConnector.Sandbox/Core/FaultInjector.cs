namespace MlConnector.Sandbox.Core;

/// <summary>Holds fault rules (set from C# in-process or through the admin API) and matches requests against them.</summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<RuleState> _rules = new();
    private readonly Random _random;

    public FaultInjector(int seed = 12345) => _random = new Random(seed);

    /// <summary>Requests that <see cref="FaultRule.Hold"/> rules are holding, and their release.</summary>
    public HeldRequests Held { get; } = new();

    /// <summary>Adds a rule; throws <see cref="ArgumentException"/> when it contradicts itself.</summary>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate();
        lock (_gate) _rules.Add(new RuleState(rule));
        return rule;
    }

    /// <summary>Removes a rule and frees the requests it holds.</summary>
    public bool Remove(string id)
    {
        bool removed;
        lock (_gate) removed = _rules.RemoveAll(r => r.Rule.Id == id) > 0;
        Held.Release(id);
        return removed;
    }

    public void Clear()
    {
        lock (_gate) _rules.Clear();
        Held.ReleaseAll();
    }

    public IReadOnlyList<FaultRule> Rules()
    {
        lock (_gate) return _rules.Select(r => r.Rule).ToArray();
    }

    /// <summary>Returns the first rule that fires for this request, or null. Latency-only rules fire too.</summary>
    public FaultDecision? Match(SandboxService service, string method, string path)
    {
        lock (_gate)
        {
            foreach (var state in _rules)
            {
                var rule = state.Rule;
                if (rule.Service != service) continue;
                if (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.PathContains is not null && path.IndexOf(rule.PathContains, StringComparison.OrdinalIgnoreCase) < 0) continue;
                if (rule.Times is not null && state.Fired >= rule.Times) continue;

                state.Matched++;
                var fires = rule.NthCall is not null
                    ? state.Matched == rule.NthCall
                    : rule.Percentage is null || _random.NextDouble() * 100 < rule.Percentage;
                if (!fires) continue;

                state.Fired++;
                return new FaultDecision(rule);
            }
            return null;
        }
    }

    private sealed class RuleState(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public int Matched { get; set; }
        public int Fired { get; set; }
    }
}
