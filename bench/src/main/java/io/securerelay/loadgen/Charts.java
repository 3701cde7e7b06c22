package io.securerelay.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG plots of a run (JFreeChart, headless). */
final class Charts {

    private Charts() {
    }

    /** Frames per second against the number of pairs, one line per target. */
    static void throughput(List<FrameLoad.Result> results, Path png) throws IOException {
        if (results.isEmpty()) {
            return;
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (String target : results.stream().map(FrameLoad.Result::target).distinct().toList()) {
            XYSeries s = new XYSeries(target);
            results.stream().filter(r -> r.target().equals(target)).forEach(r -> s.add(r.pairs(), r.framesPerSecond()));
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("1 KiB frames relayed per second (no loss)", "pairs",
                "frames/s", data, PlotOrientation.VERTICAL, true, false, false);
        LogAxis x = new LogAxis("pairs");
        x.setBase(10);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        chart.getXYPlot().setDomainAxis(x);
        chart.getXYPlot().getRenderer().setDefaultStroke(new java.awt.BasicStroke(2f));
        ((org.jfree.chart.renderer.xy.XYLineAndShapeRenderer) chart.getXYPlot().getRenderer()).setDefaultShapesVisible(true);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 540);
    }

    /** p50, p99 and p99.9 per pair count and target (milliseconds). */
    static void latency(List<FrameLoad.Result> results, Path png) throws IOException {
        if (results.isEmpty()) {
            return;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (FrameLoad.Result r : results) {
            for (double p : new double[] {50, 99, 99.9}) {
                data.addValue(r.latencyMicros().getValueAtPercentile(p) / 1000.0, r.target(),
                        "p" + (p == 99.9 ? "99.9" : String.valueOf((int) p)) + ", " + r.pairs() + " pairs");
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Latency at 50 % of the relay's highest rate", "",
                "milliseconds", data, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 540);
    }
}
