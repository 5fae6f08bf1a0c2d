using NodaTime;

namespace Tenure.Storage;

/// <summary>A line of an instance's timeline as stored, with the ID that pages it (R5.7).</summary>
public sealed record TimelineEntry(long Id, Instant At, string Kind, string Detail);

/// <summary>Reading an instance's timeline.</summary>
public sealed partial class Session
{
    /// <summary>Up to <paramref name="limit"/> timeline lines of an instance after line <paramref name="after"/>, oldest first.</summary>
    public List<TimelineEntry> Timeline(string instanceId, long after, int limit) =>
        [.. Query<(long Id, long At, string Kind, string Detail)>(
                "SELECT id, at, kind, detail FROM timeline_events WHERE instance_id = @instanceId AND id > @after ORDER BY id LIMIT @limit",
                new { instanceId, after, limit })
            .Select(e => new TimelineEntry(e.Id, Columns.At(e.At), e.Kind, e.Detail))];
}
