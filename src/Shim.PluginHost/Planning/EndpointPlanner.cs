using Shim.Abstractions;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Selection;

namespace Shim.PluginHost.Planning;

/// <summary>
/// Runs discovery and planning across the selected plugins, in the configured order: applies match rules, gives each
/// BDF and interface to the first plugin that plans it, and turns every plugin failure into a named problem. A plugin
/// that is unavailable or throws in discovery fails the sandbox only when it is required; a plugin that throws while
/// planning one of its candidates always does (the candidate needed it).
/// </summary>
public sealed class EndpointPlanner
{
    private readonly PluginCatalog _catalog;
    private readonly PluginSelection _selection;

    public EndpointPlanner(PluginCatalog catalog, PluginSelection selection)
    {
        _catalog = catalog;
        _selection = selection;
    }

    public async Task<EndpointPlanResult> PlanAsync(SandboxPlanInput input, CancellationToken cancellationToken)
    {
        var problems = new List<PlanProblem>();
        var notes = new List<string>();
        var attachments = new List<AttachmentRequest>();
        OciSpecView spec;
        try
        {
            spec = OciSpecView.Parse(input.OciSpecJson);
        }
        catch (FormatException e)
        {
            return new EndpointPlanResult([], [new PlanProblem("*", null, e.Message, null)], []);
        }

        var discovered = new List<(LoadedPlugin Plugin, PluginContext Context, IReadOnlyList<EndpointCandidate> Candidates)>();
        foreach (var name in _selection.EnabledInOrder)
        {
            var required = _selection.Required.Contains(name);
            if (!_catalog.Loaded.TryGetValue(name, out var plugin))
            {
                var why = $"not available: {_catalog.WhyUnavailable(name)}";
                if (required) problems.Add(new PlanProblem(name, null, why + " (the plugin is required)", $"plugins.required"));
                else notes.Add($"plugin {name} {why}; its endpoints, if any, are not attached");
                continue;
            }
            var settings = new PluginSettings(
                _selection.Settings.TryGetValue(name, out var table) ? table : new Dictionary<string, object>(), PluginSelection.SettingsKeyPrefix(name));
            var context = new PluginContext(input.SandboxId, input.Phase, input.OciSpecJson, spec.Annotations, settings,
                input.Devices, input.Pci, input.Links, input.Files);
            try
            {
                var result = await WithDeadline(name, "discovery", ct => plugin.Plugin.DiscoverAsync(context, ct), cancellationToken).ConfigureAwait(false);
                notes.AddRange(result.Skipped.Select(s => $"plugin {name} skipped {s}"));
                var kept = new List<EndpointCandidate>();
                foreach (var candidate in result.Candidates)
                {
                    var excluded = _selection.Excludes(name, candidate, spec.Annotations);
                    if (excluded is null) kept.Add(candidate);
                    else notes.Add($"plugin {name}: {candidate.Id} {excluded}");
                }
                discovered.Add((plugin, context, kept));
            }
            catch (PluginSettingsException e)
            {
                problems.Add(new PlanProblem(name, null, e.Message, e.Key));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var message = $"discovery failed: {e.GetType().Name}: {e.Message}";
                if (required) problems.Add(new PlanProblem(name, null, message + " (the plugin is required)", null));
                else notes.Add($"plugin {name} {message}; its endpoints, if any, are not attached");
            }
        }

        // Claims: "pci:<bdf>" and "if:<name>" → the plugin that planned it first.
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (plugin, context, candidates) in discovered)
        {
            foreach (var candidate in candidates)
            {
                var keys = candidate.Bdfs.Select(b => "pci:" + b).Concat(candidate.InterfaceName is null ? [] : ["if:" + candidate.InterfaceName]).ToList();
                if (keys.FirstOrDefault(claims.ContainsKey) is { } taken)
                {
                    notes.Add($"plugin {plugin.Name}: {candidate.Id} left to plugin {claims[taken]}, which planned {taken[(taken.IndexOf(':') + 1)..]} first");
                    continue;
                }
                PlanOutcome outcome;
                try
                {
                    outcome = await WithDeadline(plugin.Name, $"planning {candidate.Id}", ct => plugin.Plugin.PlanAsync(context, candidate, ct), cancellationToken).ConfigureAwait(false);
                }
                catch (PluginSettingsException e)
                {
                    problems.Add(new PlanProblem(plugin.Name, candidate.Id, e.Message, e.Key));
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    problems.Add(new PlanProblem(plugin.Name, candidate.Id, $"planning failed: {e.GetType().Name}: {e.Message}", null));
                    continue;
                }
                switch (outcome)
                {
                    case PlanOutcome.Attach attach:
                        if (attach.Request.PluginName != plugin.Name || attach.Request.CandidateId != candidate.Id)
                        {
                            problems.Add(new PlanProblem(plugin.Name, candidate.Id,
                                $"the plugin returned a request labelled {attach.Request.PluginName}/{attach.Request.CandidateId}: a plugin bug, report it", null));
                            break;
                        }
                        foreach (var key in keys.Concat(attach.Request.PciFunctions.Select(f => "pci:" + f.Bdf))) claims.TryAdd(key, plugin.Name);
                        attachments.Add(attach.Request);
                        break;
                    case PlanOutcome.Fail fail:
                        problems.Add(new PlanProblem(plugin.Name, candidate.Id, fail.Message, fail.SettingKey));
                        break;
                    case PlanOutcome.Leave leave:
                        notes.Add($"plugin {plugin.Name} left {candidate.Id}: {leave.Reason}");
                        break;
                }
            }
        }
        return new EndpointPlanResult(attachments, problems, notes);
    }

    private async Task<T> WithDeadline<T>(string plugin, string step, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_selection.CallDeadline);
        try
        {
            return await call(cts.Token).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"plugin {plugin} did not finish {step} within {_selection.CallDeadline.TotalSeconds:0.#} s");
        }
    }
}
