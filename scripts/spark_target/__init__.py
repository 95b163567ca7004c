"""Apache Spark as the warehouse (PRODUCT.md "Other engines: Apache Spark"): the SparkSession of the
dbt profile's `spark` target, the loader's Spark side and the export of Spark tables for comparisons."""
