using NodaTime;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>An event's dot: filled when it happened, hollow when planned.</summary>
public sealed record TimelineMark(double X, double Y, bool Past, string Kind, string Colour, string Title);

/// <summary>A line of text placed in its own box: <see cref="X"/> is its left edge (drawn with text-anchor start).</summary>
public sealed record TimelineText(double X, double Y, string Text, string Colour, string? Title = null);

/// <summary>A band under the dots of several events shown as one label ("20 PAYG charges").</summary>
public sealed record TimelineSpan(double X1, double X2, double Y, string Colour);

/// <summary>One lane of the picture and where its dots lie.</summary>
public sealed record TimelineRow(TimelineLane Lane, double Top, double MarkY, TimelineText Name);

/// <summary>A tick of the axis; its label is left out where it would touch its neighbour.</summary>
public sealed record TimelineTick(double X, TimelineText? Label);

/// <summary>Everything the lifecycle picture draws, placed.</summary>
public sealed record TimelinePicture(
    double Width, double Height, double AxisY, Instant From, Instant To, double NowX, TimelineText NowLabel,
    IReadOnlyList<TimelineRow> Rows, IReadOnlyList<TimelineMark> Marks, IReadOnlyList<TimelineSpan> Spans,
    IReadOnlyList<TimelineText> Labels, IReadOnlyList<TimelineTick> Ticks);

/// <summary>
/// Lays out the lifecycle picture so that no two labels touch and none leaves the picture: each
/// kind of event has its lane (payments, failures, notices, stop and release, changes); events of
/// one kind close together become one label ("3 auto-renew attempts", "20 PAYG charges"); labels
/// that would still touch go to the next line of their lane; the axis says each date once.
/// </summary>
public static class TimelineLayout
{
    public const double Width = 1000, PlotLeft = 150, PlotRight = 975;
    private const double Edge = 4;
    private const double FontSize = 11, LineHeight = 16, Gap = 8;

    /// <summary>An event of the picture: past ones come from the timeline (with their detail), planned ones from the schedule.</summary>
    public sealed record Entry(Instant At, string Kind, bool Past, string? Detail);

    /// <summary>
    /// The picture of <paramref name="entries"/>: lane names and labels are written in the page's language and measured as
    /// written.
    /// </summary>
    public static TimelinePicture Lay(BillingCalendar calendar, Instant created, Instant now, IReadOnlyList<Entry> entries)
    {
        var from = new[] { created, now }.Concat(entries.Where(e => e.Past).Select(e => e.At)).Min();
        var last = new[] { now }.Concat(entries.Select(e => e.At)).Max();
        var to = last > from ? last + ((last - from) / 20) : from + Duration.FromDays(1);
        double X(Instant at) => PlotLeft + ((at - from) / (to - from) * (PlotRight - PlotLeft));

        var rows = new List<TimelineRow>();
        var marks = new List<TimelineMark>();
        var spans = new List<TimelineSpan>();
        var labels = new List<TimelineText>();
        var top = 24.0;
        foreach (var lane in TimelineLane.All)
        {
            var mine = entries.Where(e => TimelineLane.Of(e.Kind).Lane == lane).OrderBy(e => e.At).ToList();
            if (mine.Count == 0) continue;
            var markY = top + 12;
            rows.Add(new TimelineRow(lane, top, markY, new TimelineText(8, markY + 4, Show.Text(lane.Name), lane.Colour)));
            foreach (var e in mine)
            {
                var title = $"{Show.At(calendar, e.At)}: {Worded(e)}{Detail(e)}";
                marks.Add(new TimelineMark(X(e.At), markY, e.Past, e.Kind, lane.Colour, title));
            }

            var lines = new List<double>(); // the right edge of the last label on each line of the lane
            var placed = Clusters(mine, X).Select(c => (Cluster: c, Width: TextWidth.Of(c.Text, FontSize)))
                .Select(c => (c.Cluster, c.Width, Left: Math.Clamp(c.Cluster.Centre - (c.Width / 2), Edge, Width - Edge - c.Width)));
            foreach (var (cluster, width, left) in placed.OrderBy(c => c.Left))
            {
                var line = lines.FindIndex(end => end + Gap <= left);
                if (line < 0)
                {
                    lines.Add(0);
                    line = lines.Count - 1;
                }

                lines[line] = left + width;
                var title = string.Join("\n", cluster.Members.Select(e => $"{Show.At(calendar, e.At)}: {Worded(e)}"));
                labels.Add(new TimelineText(left, markY + 24 + (line * LineHeight), cluster.Text, lane.Colour, title));
                if (cluster.Members.Count > 1)
                {
                    spans.Add(new TimelineSpan(X(cluster.Members[0].At), X(cluster.Members[^1].At), markY, lane.Colour));
                }
            }

            top = markY + 14 + (lines.Count * LineHeight);
        }

        var axisY = top + 8;
        var ticks = Ticks(calendar, from, to, X, axisY + 20);
        string nowText = Show.Text("now");
        var nowWidth = TextWidth.Of(nowText, 12, bold: true);
        var nowX = X(now);
        var nowLabel = new TimelineText(Math.Clamp(nowX - (nowWidth / 2), Edge, Width - Edge - nowWidth), 14, nowText, "#b3261e");
        return new TimelinePicture(Width, axisY + 30, axisY, from, to, nowX, nowLabel, rows, marks, spans, labels, ticks);
    }

    /// <summary>Runs of one kind (past or planned apart) whose dots lie so close that their own labels would touch.</summary>
    private static IEnumerable<(double Centre, string Text, List<Entry> Members)> Clusters(
        List<Entry> lane, Func<Instant, double> x)
    {
        foreach (var kind in lane.GroupBy(e => (e.Kind, e.Past)))
        {
            var apart = TextWidth.Of(One(TimelineLane.Of(kind.Key.Kind).One), FontSize) + Gap;
            var run = new List<Entry>();
            foreach (var e in kind)
            {
                if (run.Count > 0 && x(e.At) - x(run[^1].At) >= apart)
                {
                    yield return Cluster(run, x);
                    run = [];
                }

                run.Add(e);
            }

            yield return Cluster(run, x);
        }
    }

    private static (double Centre, string Text, List<Entry> Members) Cluster(
        List<Entry> run, Func<Instant, double> x)
    {
        var (_, one, many) = TimelineLane.Of(run[0].Kind);
        // "{0} renewals" is the key, so English stays "3 renewals" and another language puts the count where it goes.
        string text = run.Count == 1 ? One(one) : Show.Text($"{{0}} {many}", run.Count);
        return ((x(run[0].At) + x(run[^1].At)) / 2, text, run);
    }

    /// <summary>
    /// One event's label in the page's language. Resource names are unique regardless of case, and "payg charge" is also a
    /// planned event's words, so the label's name says it is the label.
    /// </summary>
    private static string One(string one) =>
        Show.Text(one == "PAYG charge" ? "PAYG charge (a timeline label)" : one);

    /// <summary>
    /// A past event's detail for its tooltip, as the engine recorded it: in English, so only on an English page; the events
    /// table under the picture shows it on every page, marked as English.
    /// </summary>
    private static string Detail(Entry e) => e.Past && Show.English ? $" — {e.Detail}" : string.Empty;

    /// <summary>An event's words for a tooltip: a planned one says so.</summary>
    private static string Worded(Entry e) =>
        e.Past ? Show.Word(e.Kind) : Show.Text("{0} (planned)", Show.Word(e.Kind));

    private static List<TimelineTick> Ticks(BillingCalendar calendar, Instant from, Instant to, Func<Instant, double> x, double y)
    {
        var ticks = new List<TimelineTick>();
        var end = double.NegativeInfinity;
        foreach (var tick in TimeAxis.Ticks(calendar, from, to, maxTicks: 9))
        {
            var at = x(tick.At);
            var width = TextWidth.Of(tick.Label, FontSize);
            var left = Math.Clamp(at - (width / 2), Edge, Width - Edge - width);
            var fits = left >= end + Gap;
            ticks.Add(new TimelineTick(at, fits ? new TimelineText(left, y, tick.Label, "#374151") : null));
            if (fits) end = left + width;
        }

        return ticks;
    }
}
