"""methods/funnel"""
