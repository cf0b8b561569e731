namespace Shim.Configuration;

/// <summary>Whether a plugin takes a candidate, and which rule decided (null: the plugin has no rules, or none matched).</summary>
public sealed record PluginDecision(bool Included, PluginRule? Rule, string Reason);

public static class PluginRuleEvaluation
{
    /// <summary>For a plugin with no rules every candidate is included (the plugin's own discovery decides);
    /// otherwise the first matching rule decides and a candidate no rule matches is excluded (explicit opt-in).</summary>
    public static PluginDecision Decide(this PluginSettings plugins, string plugin, PluginCandidate candidate)
    {
        var rules = plugins.RulesFor(plugin);
        if (rules.IsEmpty) return new PluginDecision(true, null, $"plugin {plugin} has no [[plugins.rule]]: every candidate it discovers is taken");
        foreach (var rule in rules)
        {
            if (rule.Matches(candidate))
                return new PluginDecision(rule.Action == PluginRuleAction.Include, rule,
                    $"[[plugins.rule]] #{rule.Index + 1} ({rule.Origin}) {rule.Action.ToToml()}s it");
        }
        return new PluginDecision(false, null, $"no [[plugins.rule]] for plugin {plugin} matches: add an include rule to take it");
    }
}
