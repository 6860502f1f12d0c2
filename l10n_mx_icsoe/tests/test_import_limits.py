"""test_import_limits"""
