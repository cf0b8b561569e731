namespace Shim.Configuration;

public enum PluginRuleAction
{
    Include,
    Exclude,
}
