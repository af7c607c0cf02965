using System.Globalization;
using Intake.Storage.Retention;
using Intake.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Pages.Staff.Admin;

/// <summary>
/// The retention dashboard, for admins and auditors: cases by policy and state, purges due and
/// overdue, purges done in the last 30 days, legal holds, and two small bar charts drawn here as
/// SVG (no script, no inline style). Read-only; counts, days, channels and states only.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOrAuditor)]
public sealed class RetentionDashboardModel(RetentionDashboard dashboard) : PageModel
{
    public RetentionFigures Figures { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Figures = await dashboard.ReadAsync(cancellationToken);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One chart of the dashboard: its id (for the SVG's title and tests), its title and one bar a day.</summary>
public sealed record RetentionChart(string Id, string Title, IReadOnlyList<DayCount> Days)
{
    // Geometry in the SVG's own units: a left margin for the scale, one slot a day, a plot 100 high.
    public const int Left = 30;
    public const int Top = 10;
    public const int PlotHeight = 100;
    public const int Slot = 10;
    public const int BarWidth = 8;

    public int Width => Left + Days.Count * Slot;
    public int Baseline => Top + PlotHeight;
    public int Total => Days.Sum(d => d.Count);

    /// <summary>The highest day's count (at least 1, so an empty chart still has a scale).</summary>
    public int Max => Math.Max(1, Days.Max(d => d.Count));

    /// <summary>A bar for each day with a count: x, y and height scaled to <see cref="Max"/>; a count of one is never less than one unit high.</summary>
    public IEnumerable<(DayCount Day, int X, int Y, int Height)> Bars() =>
        Days.Select((day, i) => (day, i))
            .Where(d => d.day.Count > 0)
            .Select(d =>
            {
                var height = Math.Max(1, (int)Math.Round(d.day.Count * (double)PlotHeight / Max, MidpointRounding.AwayFromZero));
                return (d.day, Left + d.i * Slot + (Slot - BarWidth) / 2, Baseline - height, height);
            });
}
